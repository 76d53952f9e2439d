/**
 * The page's entry, kept tiny: it starts the training worker (which starts downloading the data
 * set) before the UI's code is fetched and evaluated, then mounts the UI.
 */
import { nextTask } from './ui/hooks/idle';
import { dataUrl, startTrainerEarly } from './ui/state/trainerClient';
import './styles.css';

startTrainerEarly(dataUrl());
// React's code, then the app's, each evaluated in a task of its own.
void import('./app/reactRuntime').then(nextTask).then(() => import('./app/mount'));
