// Splits a streamed watch body into its JSON lines, whatever the chunk boundaries.
export class LineSplitter {
  private readonly decoder = new TextDecoder();
  private buffered = '';

  /** The complete, non-blank lines this chunk finishes. */
  push(chunk: Uint8Array): string[] {
    const text = this.buffered + this.decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    let newline: number;
    // One scan of the text; the unfinished tail is cut once, not after every line.
    while ((newline = text.indexOf('\n', start)) >= 0) {
      const line = text.slice(start, newline);
      if (line.trim() !== '') lines.push(line);
      start = newline + 1;
    }
    this.buffered = start === 0 ? text : text.slice(start);
    return lines;
  }
}
