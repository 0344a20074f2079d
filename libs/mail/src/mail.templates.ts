// Every message Rejoinder sends, one function per kind: each takes the data
// and the recipient's language, and returns the subject and both parts. The
// words are catalogue messages (locales/server/<tag>.po, extracted from the
// /*i18n*/ marks in the files below): a translation is a catalogue, not a
// change here.
export { oneLine, type RenderedMail } from './mail.layout.js';
export * from './mail.account-templates.js';
export * from './mail.notification-templates.js';
export * from './mail.unsubscribe-page.js';
