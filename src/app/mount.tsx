/** Mounts the UI (main.tsx imports this after starting the worker). */
import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { I18nProvider } from '../ui/i18n/I18n';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
// A transition: React renders the first screen in slices of a few milliseconds (in one piece it
// was a 100-140 ms task on the test machine while the worker was decoding the data set).
startTransition(() => {
  createRoot(root).render(
    <StrictMode>
      <I18nProvider>
        <App />
      </I18nProvider>
    </StrictMode>,
  );
});
