/** Understanding a mail: the public API of domain/mail. */
export type * from './types.js';
export { understandMail, bodyText, FUTURE_TOLERANCE_MS, type UnderstandOptions } from './understand.js';
export { normaliseSubject, readSubject, stripSubjectPrefixes, REPLY_PREFIXES, FORWARD_PREFIXES, type SubjectInfo } from './subject.js';
export { readTags, readFieldTags, readCategoryUrgency, guessCategory, guessUrgency, type CategoryUrgency, type HintSource } from './tags.js';
export { readEventTime, DATE_ONLY_CLOCK, type EventTimeReading } from './event-time.js';
export { extractNewText, type NewText } from './quoted.js';
export { htmlToText } from './html.js';
export { readIntent, type IntentReading } from './intent.js';
export { findIgnorable, hasReplyHeaders, type Ignorable } from './classify.js';
