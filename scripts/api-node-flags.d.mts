// The Node.js flags `npm start` runs the API with (package.json's start script).
export function apiNodeFlags(): string[];
