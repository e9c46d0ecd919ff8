#include "server/http_util.h"

#include <cctype>
#include <charconv>

namespace evidex::server {

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  // Values come from hostile evidence: dump() escapes them as JSON; invalid UTF-8 is replaced.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

const char* CodeForStatus(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthenticated";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "bad_request";
    case 409:
      return "conflict";
    case 413:
      return "too_large";
    case 429:
      return "rate_limited";
    case 501:
      return "not_implemented";
    default:
      return status >= 500 ? "internal" : "bad_request";
  }
}

void SendError(httplib::Response& res, int status, const std::string& code,
               const std::string& message) {
  SendJson(res, status, {{"error", message}, {"code", code}});
}

void SendStatus(httplib::Response& res, const Status& status, const std::string& what) {
  if (status.code() == Code::kNotFound) {
    SendError(res, 404, "not_found", "not found");
    return;
  }
  if (status.code() == Code::kLimit) {
    SendError(res, 503, "internal", what + " failed: the store is busy, try again");
    return;
  }
  SendError(res, 500, "internal", what + " failed");
}

std::optional<int64_t> ParseId(const std::string& text) {
  if (text.empty() || text.size() > 18 || text[0] == '0') return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

std::optional<std::string> ParseEvidenceName(const std::string& text) {
  std::string digits =
      (!text.empty() && (text[0] == 'E' || text[0] == 'e')) ? text.substr(1) : text;
  std::optional<int64_t> n = ParseId(digits);
  if (!n) return std::nullopt;
  return "E" + std::to_string(*n);
}

bool ValidUserName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

std::string Query(const httplib::Request& req, const std::string& name) {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : std::string();
}

std::optional<uint64_t> QueryNumber(const httplib::Request& req, const std::string& name,
                                    uint64_t fallback, uint64_t lo, uint64_t hi) {
  if (!req.has_param(name.c_str())) return fallback;
  std::string text = req.get_param_value(name.c_str());
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    return std::nullopt;
  return v;
}

std::optional<nlohmann::json> JsonBody(const httplib::Request& req, httplib::Response& res) {
  nlohmann::json j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    SendError(res, 400, "bad_request", "the body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

std::optional<std::string> StringField(const nlohmann::json& body, const std::string& name,
                                       bool required, const std::string& fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) return std::nullopt;
    return fallback;
  }
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string HexEncode(const void* data, size_t size) {
  static const char* d = "0123456789abcdef";
  const auto* p = static_cast<const unsigned char*>(data);
  std::string s;
  s.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

}  // namespace evidex::server
