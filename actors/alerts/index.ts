/**
 * @module actors/alerts
 * Alerts to Slack and Telegram through a durable outbox, and control commands over Telegram.
 */
export * from './alert.types.js';
export * from './alert.channel.js';
export * from './alerts.config.js';
export * from './alerter.js';
export * from './alerting.js';
export * from './outbox.worker.js';
export * from './slack.channel.js';
export * from './telegram.channel.js';
export * from './telegram-control.js';
