// The input every state of the triage workflow passes to its function.
import type { Feedback, SentimentResult } from './feedback.js';

export interface TriageStateEvent {
  feedback: Feedback;
  sentiment?: SentimentResult;
  /** The Step Functions execution running this state, for log correlation. */
  executionArn?: string;
}
