// Global fast-check configuration is installed here (see properties/config.ts).
export {};
