// The embed's compiled messages by locale, made at build time from the web
// catalogues (vite.config.ts, embedWords): a message is a string or a list of
// strings and [placeholder] tokens.
declare module 'virtual:embed-words' {
  const words: Record<string, Record<string, string | (string | [string, ...unknown[]])[]>>;
  export default words;
}
