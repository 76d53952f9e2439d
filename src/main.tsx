/**
 * The page's entry, kept tiny: it starts the training worker (which starts downloading the data
 * set) before the UI's code is fetched and evaluated, then mounts the UI.
 */
import { dataUrl, startTrainerEarly } from './ui/state/trainerClient';
import './styles.css';

startTrainerEarly(dataUrl());
void import('./app/mount');
