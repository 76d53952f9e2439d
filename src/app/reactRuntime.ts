/**
 * React and React DOM on their own (see main.tsx): evaluated in a task of their own before the
 * app's code, so the page's start is two tasks, not one of 90-110 ms on the test machine while the
 * worker decodes the data set. mount.tsx imports the same modules; the chunk is shared, not repeated.
 */
export { createRoot } from 'react-dom/client';
export { StrictMode, startTransition } from 'react';
