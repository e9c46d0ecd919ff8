// MISP event JSON as MISP exports it (an event's "Download as JSON", /events/view, and the
// {"response": [...]} of /events/restSearch): Event.Attribute[] and Event.Object[].Attribute[].
#include <string>

#include "exchange/watchlist_internal.h"

namespace evidex::exchange::internal {
namespace {

using nlohmann::json;

void ReadAttribute(const json& a, const std::string& where, Collector* sink) {
  if (!a.is_object()) {
    sink->Error(where, "attribute is not an object");
    return;
  }
  if (FlagMember(a, "deleted")) return;
  std::optional<std::string_view> type = StringMember(a, "type");
  if (!type) {
    sink->Error(Pointer(where, "type"), "attribute without a type");
    return;
  }
  const json* value = Member(a, "value");
  if (value == nullptr || !value->is_string()) {
    sink->Error(Pointer(where, "value"),
                value == nullptr ? "attribute without a value" : "attribute value is not a string");
    return;
  }
  std::string_view comment = StringMember(a, "comment").value_or("");
  std::string_view uuid = StringMember(a, "uuid").value_or("");
  sink->AddTyped(*type, value->get_ref<const std::string&>(), comment, uuid,
                 Pointer(where, "value"));
}

void ReadAttributes(const json& event, const std::string& where, Collector* sink) {
  const json* attributes = Member(event, "Attribute");
  if (attributes == nullptr) return;
  std::string list_where = Pointer(where, "Attribute");
  if (!attributes->is_array()) {
    sink->Error(list_where, "Attribute is not an array");
    return;
  }
  for (size_t i = 0; i < attributes->size(); ++i)
    ReadAttribute((*attributes)[i], Pointer(list_where, i), sink);
}

void ReadEvent(const json& event, const std::string& where, Collector* sink, ParsedWatchlist* out) {
  if (!event.is_object()) {
    sink->Error(where.empty() ? "/" : where, "event is not an object");
    return;
  }
  // The first event names the watchlist.
  if (out->name.empty()) out->name = std::string(StringMember(event, "info").value_or(""));
  if (out->reference.empty())
    out->reference = std::string(StringMember(event, "uuid").value_or(""));
  if (out->source.empty())
    if (const json* orgc = Member(event, "Orgc"))
      out->source = std::string(StringMember(*orgc, "name").value_or(""));
  ReadAttributes(event, where, sink);
  const json* objects = Member(event, "Object");
  if (objects == nullptr) return;
  std::string objects_where = Pointer(where, "Object");
  if (!objects->is_array()) {
    sink->Error(objects_where, "Object is not an array");
    return;
  }
  for (size_t i = 0; i < objects->size(); ++i) {
    const json& object = (*objects)[i];
    std::string object_where = Pointer(objects_where, i);
    if (!object.is_object()) {
      sink->Error(object_where, "object is not an object");
      continue;
    }
    if (FlagMember(object, "deleted")) continue;
    ReadAttributes(object, object_where, sink);
  }
}

bool LooksLikeEvent(const json& j) {
  return Member(j, "Attribute") != nullptr || Member(j, "Object") != nullptr ||
         Member(j, "info") != nullptr;
}

}  // namespace

void ReadMisp(const json& doc, Collector* sink, ParsedWatchlist* out, Status* fatal) {
  // A list of {"Event": ...} (some exports), or {"response": [...]} (restSearch).
  const json* list = doc.is_array() ? &doc : Member(doc, "response");
  std::string list_where = doc.is_array() ? "" : "/response";
  if (list != nullptr) {
    if (!list->is_array()) {
      *fatal = Corrupt(list_where + ": not an array of events");
      return;
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const json& item = (*list)[i];
      std::string item_where = Pointer(list_where, i);
      if (const json* event = Member(item, "Event")) {
        ReadEvent(*event, Pointer(item_where, "Event"), sink, out);
      } else if (LooksLikeEvent(item)) {
        ReadEvent(item, item_where, sink, out);
      } else {
        sink->Error(item_where, "not a MISP event (no Event member)");
      }
    }
    return;
  }
  if (const json* event = Member(doc, "Event")) {
    ReadEvent(*event, "/Event", sink, out);
  } else if (LooksLikeEvent(doc)) {
    ReadEvent(doc, "", sink, out);
  } else {
    *fatal = Corrupt("not a MISP event: no Event, response or Attribute member at the top");
  }
}

}  // namespace evidex::exchange::internal
