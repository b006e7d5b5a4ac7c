/** Coordinator console entry point (console.html). Not part of the kiosk or its service worker. */
import { render } from 'preact';
import { ConsoleApp } from './ConsoleApp.tsx';
import './console.css';
import './campaigns.css';
import './team.css';

render(<ConsoleApp />, document.getElementById('app')!);
