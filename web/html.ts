/** HTML made by our own renderer (a page's content inside the layout, sanitised bodies): not escaped again. */
export class Html {
  constructor(private readonly html: string) {}
  toHTML(): string {
    return this.html;
  }
  toString(): string {
    return this.html;
  }
}
