import { pino, type DestinationStream, type Logger } from 'pino';

// What must never reach a log line: the session cookie both ways, credentials in headers, and a
// password should a body ever be logged (bodies are not logged today).
const SECRETS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'req.body.password',
  'req.body.current_password',
  'req.body.new_password',
  'req.body._csrf',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: SECRETS, censor: '[redacted]' } }, destination);
}
