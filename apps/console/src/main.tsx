import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// Sarabun (SIL Open Font License 1.1, from the npm registry): Thai must render on a workstation with no
// Thai font installed. Only its Thai subset is declared (unicode-range), so Latin text keeps the system
// font and the font files are fetched only when Thai is on the page.
import '@fontsource/sarabun/thai-400.css';
import '@fontsource/sarabun/thai-700.css';
import { App } from './App';
import './styles.css';

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
