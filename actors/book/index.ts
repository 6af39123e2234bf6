// @module actors/book: order-book math (pure, decimal.js-exact), run on the main thread or in a
// Piscina worker pool behind the BookAnalytics port, and its `book_math` config section.
export * from './book-analytics.port.js';
export * from './book-analytics.config.js';
export { BookAnalyticsService, createBookAnalytics } from './book-analytics.js';
export * from './book-math.js';
export type { AnalysisRequest, BookMetrics, BookTask, FillData } from './book-task.js';
export { createBookMathRunner, type BookMathRunner } from './book-math.runner.js';
