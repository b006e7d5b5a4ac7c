/**
 * `zod/mini` ships without error messages to keep the kiosk small; the server loads the
 * English ones so that API errors name what was expected and what was received.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
