#pragma once
// JSON string literals, written the way nlohmann's dump() writes them (", \,
// \b \f \n \r \t escaped by name, other control characters as \u00xx, all
// else as is). One escaper for every place outrigger writes JSON by hand:
// the codec's direct writer, the journal's records, the JSON log lines.

#include <string>
#include <string_view>

namespace outrigger::protocol {

/// Appends `text` to `out` as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view text);

} // namespace outrigger::protocol
