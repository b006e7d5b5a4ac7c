/**
 * The exports there are, by kind: the hand-in list and the contact list as CSV (csv.ts),
 * every signature as SVG in a zip (zip.ts), the printable hand-in sheets as PDF (pdf.ts), the
 * blank paper-collection sheets as PDF (paper-sheets.ts, which reads no signatures), and the
 * signed hand-in package that holds them (handin-package.ts).
 * job.ts runs one of them; serve.ts names its file and content type.
 *
 * None of them loads all signatures: each reads the store a page at a time in arrival order
 * (`allSignatures`, exports/stream.ts) and writes only as fast as the client takes the bytes,
 * so memory does not grow with the number of signatures; and each gives the event loop a
 * turn every few milliseconds, so other requests are answered while it runs.
 * bench/export-memory.ts measures the memory of all five, bench/scale.ts their pace.
 *
 * Each writer takes an AsyncIterable of signatures and a writable stream, so the CLI export
 * of sealed signatures (exports/sealed-export.ts) writes the same files from the signatures
 * it opened with the coordinator's key. Sealed signatures cannot be read on the server: the
 * console opens them in the browser with the coordinator's key.
 */

/** The two CSV lists: the hand-in list (no contact data) and the contacts who opted in. */
export type CsvKind = 'handin' | 'contacts';

/** Every export the console offers; 'handin-package' is the signed zip of exports/handin-package.ts. */
export type ExportKind = CsvKind | 'zip' | 'pdf' | 'handin-package' | 'paper-sheets';
