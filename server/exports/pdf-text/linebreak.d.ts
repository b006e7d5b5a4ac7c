/** Types for the `linebreak` package (UAX #14), which ships none. */
declare module 'linebreak' {
  export interface Break {
    /** Offset where the next line would start. */
    position: number;
    /** A mandatory break (a line or paragraph separator). */
    required: boolean;
  }
  export default class LineBreaker {
    constructor(text: string);
    nextBreak(): Break | null;
  }
}
