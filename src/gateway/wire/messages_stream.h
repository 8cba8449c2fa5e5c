#pragma once
// The stream translators behind make_messages_stream() (messages_wire.h): OpenAI chunks said as
// Anthropic events, two translators chained, and Anthropic's own events passed through.

#include <memory>

#include "gateway/wire/chat_wire.h"

namespace keyrelay::gateway::wire {

// OpenAI chat.completion.chunk events (the output of a chat StreamTranslator, ending in [DONE]) →
// message_start (meta.id; the model the chunks name, else meta.model; usage 0 until the end),
// ping, content_block_start / content_block_delta (text_delta, input_json_delta) /
// content_block_stop per text run and tool call, message_delta (stop_reason, the final usage) and
// message_stop at [DONE]. Choices other than index 0 are ignored (a messages request asks for one).
std::unique_ptr<StreamTranslator> make_chunks_to_messages(ResponseMeta meta);

// Feeds the output of `first` to `second`; usage and model are the first's (the provider's count).
std::unique_ptr<StreamTranslator> chain_streams(std::unique_ptr<StreamTranslator> first,
                                                std::unique_ptr<StreamTranslator> second);

// Anthropic's own event stream, event by event re-framed as "event: …\ndata: …\n\n" (pings
// included), its usage read from message_start and message_delta; complete at message_stop; an
// error event is upstream_error with Anthropic's message.
std::unique_ptr<StreamTranslator> make_anthropic_passthrough();

}  // namespace keyrelay::gateway::wire
