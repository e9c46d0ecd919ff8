// Small pieces of the HTTP API shared by every handler: JSON answers and errors in the shape of
// docs/API.md ("Errors"), and the checks of path and query parameters.
//
// Path parameters are checked against narrow patterns here and only ever used as store keys:
// nothing a request carries is joined to a file path.
//
// Thread safety: free functions without shared state.
#ifndef EVIDEX_SERVER_HTTP_UTIL_H_
#define EVIDEX_SERVER_HTTP_UTIL_H_

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"

namespace evidex::server {

// The answer `body` with `status`, Content-Type application/json and Cache-Control: no-store.
void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
// `{"error": message, "code": code}`.
void SendError(httplib::Response& res, int status, const std::string& code,
               const std::string& message);
// The machine code of docs/API.md for an HTTP status ("bad_request", "not_found", ...).
const char* CodeForStatus(int status);
// A store or module failure: 404 for kNotFound, 409 for kInvalidArgument from a duplicate when
// `conflict`, else 500 naming `what` (never SQL: the status message is not sent).
void SendStatus(httplib::Response& res, const Status& status, const std::string& what);

// A local id: 1 to 18 decimal digits, no sign, no leading zero.
std::optional<int64_t> ParseId(const std::string& text);
// An evidence name as API.md allows it: "E<n>" or "<n>"; returns the canonical "E<n>".
std::optional<std::string> ParseEvidenceName(const std::string& text);
// A user name: 1-64 of [a-z0-9._-], not starting with '.'.
bool ValidUserName(const std::string& name);
// A query parameter as an unsigned number within [lo, hi]; `fallback` when absent; nullopt
// when present but not a number in range.
std::optional<uint64_t> QueryNumber(const httplib::Request& req, const std::string& name,
                                    uint64_t fallback, uint64_t lo, uint64_t hi);
std::string Query(const httplib::Request& req, const std::string& name);

// The request body as a JSON object; nullopt (and a 400 answer sent) otherwise.
std::optional<nlohmann::json> JsonBody(const httplib::Request& req, httplib::Response& res);
// A string member of `body`: absent gives `fallback` when `required` is false; a wrong type
// gives nullopt.
std::optional<std::string> StringField(const nlohmann::json& body, const std::string& name,
                                       bool required, const std::string& fallback = "");

std::string HexEncode(const void* data, size_t size);

}  // namespace evidex::server

#endif  // EVIDEX_SERVER_HTTP_UTIL_H_
