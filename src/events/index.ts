// src/events owns core/v1 Events about watched objects: it turns them into span events for the
// lifecycle tracer. It does not watch by itself (the runtime gives it a Reflector) or keep events.
export { EventSink, toSpanEvent } from './event-sink.ts';
