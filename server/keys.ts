/**
 * The coordinator's key pair for sealed campaigns, for the CLI (`keygen`, `export`). The
 * code lives in src/shared/keyfile.ts, plain WebCrypto, so that the console can unlock the
 * private key in the browser: the key file and its passphrase never reach the server.
 */
export {
  generateCoordinatorKeys,
  KeyFileError,
  MIN_PASSPHRASE_LENGTH,
  parseKeyFile,
  passphraseProblem,
  PBKDF2_ITERATIONS,
  PRIVATE_KEY_FILE_NAME,
  PRIVATE_KEY_FORMAT,
  PrivateKeyFileSchema,
  PUBLIC_KEY_FILE_NAME,
  publicKeyFileOf,
  unlockKeyFile,
  unlockPrivateKey,
  type CoordinatorKeys,
  type PrivateKeyFile,
  type UnlockedKey,
} from '../src/shared/keyfile.ts';
