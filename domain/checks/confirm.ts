/**
 * Whether a reviewer's reply says they went through the findings (看过，无误) — the mail counterpart of the
 * reviewer page's checkbox. Read from the reply's own words (quoted text already removed), so a quote of the
 * review request, which names the phrase, does not count.
 */
const CONFIRMS = /看过[，,、\s]*(?:确认)?无误|核对无误|(?:已|均已|都已)(?:逐[条项])?核对|确认无误|checked(?:,|\s)+(?:all\s+)?correct/i;

export function confirmsChecks(replyText: string): boolean {
  return CONFIRMS.test(replyText);
}
