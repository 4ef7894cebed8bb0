// The app runs entirely in the browser: no server rendering, no prerendered data.
export const ssr = false;
export const prerender = false;
