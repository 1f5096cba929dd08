// Splits a streamed watch body into its JSON lines, whatever the chunk boundaries.
export class LineSplitter {
  private readonly decoder = new TextDecoder();
  private buffered = '';

  /** The complete, non-blank lines this chunk finishes. */
  push(chunk: Uint8Array): string[] {
    this.buffered += this.decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      if (line.trim() !== '') lines.push(line);
    }
    return lines;
  }
}
