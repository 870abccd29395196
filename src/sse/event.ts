/**
 * Field handling of the WHATWG event-stream interpretation: turns decoded
 * lines into events. Byte framing and UTF-8 decoding live in `reader.ts`.
 */

export interface SseEvent {
  /** The `event` field, or `message` when the frame has none or an empty one. */
  event: string;
  /** The `data` lines of the frame joined with LF. */
  data: string;
  /** The last event ID seen so far in the stream, absent while it is empty. */
  id?: string;
}

const DEFAULT_EVENT_TYPE = 'message';

/** Accumulates the fields of one frame and builds its event on dispatch. */
export class SseEventBuilder {
  #eventType = '';
  #dataLines: string[] = [];
  #sawData = false;
  #lastEventId = '';

  /** Applies one non-blank line, without its line terminator. */
  processLine(line: string): void {
    if (line.charCodeAt(0) === 0x3a) {
      return;
    }

    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon !== -1) {
      field = line.slice(0, colon);
      const valueStart = line.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1;
      value = line.slice(valueStart);
    }

    switch (field) {
      case 'data':
        this.#dataLines.push(value);
        this.#sawData = true;
        break;
      case 'event':
        this.#eventType = value;
        break;
      case 'id':
        // The WHATWG algorithm ignores an `id` whose value contains NULL.
        if (!value.includes('\0')) {
          this.#lastEventId = value;
        }
        break;
      default:
        // `retry` and unknown fields carry nothing the gateway needs.
        break;
    }
  }

  /**
   * Ends the frame: returns its event, or null when the frame had no `data`
   * line, and clears the event type and data for the next frame. The last
   * event ID persists across frames, as the spec requires.
   */
  dispatch(): SseEvent | null {
    const event = this.#sawData ? this.#buildEvent() : null;

    this.#eventType = '';
    this.#dataLines = [];
    this.#sawData = false;

    return event;
  }

  #buildEvent(): SseEvent {
    const event: SseEvent = {
      event: this.#eventType || DEFAULT_EVENT_TYPE,
      data: this.#dataLines.join('\n'),
    };
    if (this.#lastEventId !== '') {
      event.id = this.#lastEventId;
    }
    return event;
  }
}
