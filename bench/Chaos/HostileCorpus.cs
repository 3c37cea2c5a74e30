using System.Text;
using static Chaos.RawRequest;

namespace Chaos;

/// <summary>
/// The hostile-input corpus: for each /v1 POST endpoint the same ~60 body and framing attacks (malformed JSON,
/// invalid UTF-8, lone surrogate escapes in model/role/content/type, huge numbers, deep nesting, wrong types,
/// oversized and stalled bodies, bad headers, wrong methods), then /v1/models/*, /admin/* and protocol-level cases.
/// </summary>
static class HostileCorpus
{
    static readonly byte[] Invalid = [0xFF, 0xFE];

    /// <summary>A /v1 POST endpoint: its path, its credential header and how its body is assembled from parts.</summary>
    sealed record Endpoint(string Name, string Path, string Auth, Func<object, object, object, object, string, byte[]> Body, bool HasRole)
    {
        /// <summary>Parts are JSON tokens (strings or raw bytes); <paramref name="extra"/> is appended inside the top-level object.</summary>
        public byte[] Make(object? model = null, object? role = null, object? content = null, object? maxTokens = null, string extra = "") =>
            Body(model ?? "\"mock/gpt-4o-mini\"", role ?? "\"user\"", content ?? "\"hi there\"", maxTokens ?? "8", extra);
    }

    public static IReadOnlyList<HostileCase> All(string key, string admin, string model)
    {
        var m = $"\"{model}\"";
        Endpoint[] endpoints =
        [
            new("chat", "/v1/chat/completions", $"Authorization: Bearer {key}",
                (mo, ro, co, mx, ex) => Concat("{\"model\":", mo, ",\"messages\":[{\"role\":", ro, ",\"content\":", co, "}],\"max_tokens\":", mx, ex, "}"), true),
            new("embeddings", "/v1/embeddings", $"Authorization: Bearer {key}",
                (mo, _, co, _, ex) => Concat("{\"model\":", mo, ",\"input\":", co, ex, "}"), false),
            new("messages", "/v1/messages", $"x-api-key: {key}\r\nanthropic-version: 2023-06-01",
                (mo, ro, co, mx, ex) => Concat("{\"model\":", mo, ",\"max_tokens\":", mx, ",\"messages\":[{\"role\":", ro, ",\"content\":", co, "}]", ex, "}"), true),
        ];
        var cases = new List<HostileCase>();
        foreach (var e in endpoints) cases.AddRange(ForEndpoint(e, m));
        cases.AddRange(Models(key));
        cases.AddRange(Admin(admin));
        cases.AddRange(Protocol(key));
        return cases;
    }

    static IEnumerable<HostileCase> ForEndpoint(Endpoint e, string m)
    {
        HostileCase Post(string name, byte[] body, string contentType = "Content-Type: application/json", params string[] more) =>
            new($"{e.Name}/{name}", Build("POST", e.Path, [e.Auth, contentType, .. more], body));
        var valid = e.Make(m);
        var block = (object type, object text) => Concat("[{\"type\":", type, ",\"text\":", text, "}]");

        // Malformed JSON
        yield return Post("empty-body", []);
        yield return Post("truncated", valid[..(valid.Length / 2)]);
        yield return Post("json-null", Utf8("null"));
        yield return Post("json-array", Utf8("[]"));
        yield return Post("json-string", Utf8("\"hello\""));
        yield return Post("json-number", Utf8("42"));
        yield return Post("missing-value", Utf8("{\"model\":}"));
        yield return Post("trailing-garbage", Concat(valid, "xyz"));
        yield return Post("two-objects", Concat(valid, valid));
        yield return Post("single-quotes", Utf8("{'model':'x'}"));
        yield return Post("raw-control-chars", e.Make(m, content: Concat("\"hi", new byte[] { 0x01, 0x07 }, "\"")));
        yield return Post("utf8-bom", Concat(new byte[] { 0xEF, 0xBB, 0xBF }, valid));
        // Invalid UTF-8 bytes
        yield return Post("utf8-invalid-model", e.Make(Concat("\"mock/gpt", Invalid, "\"")));
        yield return Post("utf8-invalid-content", e.Make(m, content: Concat("\"hi ", new byte[] { 0xC3, 0x28 }, " there\"")));
        yield return Post("utf8-overlong-model", e.Make(Concat("\"", new byte[] { 0xC0, 0xAF }, "\"")));
        yield return Post("utf8-truncated-sequence", e.Make(m, content: Concat("\"hi", new byte[] { 0xE2, 0x82 }, "\"")));
        yield return Post("utf8-encoded-surrogate-model", e.Make(Concat("\"x", new byte[] { 0xED, 0xA0, 0x80 }, "\"")));
        if (e.HasRole) yield return Post("utf8-invalid-role", e.Make(m, role: Concat("\"us", Invalid, "\"")));
        // Lone surrogate escapes
        yield return Post("lone-high-surrogate-model", e.Make("\"\\ud800\""));
        yield return Post("lone-low-surrogate-model", e.Make("\"mock/\\udc00\""));
        yield return Post("reversed-surrogates-model", e.Make("\"\\udc00\\ud800\""));
        yield return Post("lone-surrogate-content", e.Make(m, content: "\"hi \\ud800 there\""));
        yield return Post("lone-surrogate-key", e.Make(m, extra: ",\"\\ud800\":1"));
        if (e.HasRole)
        {
            yield return Post("lone-surrogate-role", e.Make(m, role: "\"\\ud800\""));
            yield return Post("lone-surrogate-block-type", e.Make(m, content: block("\"\\ud800\"", "\"hi\"")));
            yield return Post("lone-surrogate-block-text", e.Make(m, content: block("\"text\"", "\"\\udfff\"")));
            yield return Post("utf8-invalid-block-type", e.Make(m, content: block(Concat("\"te", Invalid, "\""), "\"hi\"")));
        }
        else
        {
            yield return Post("lone-surrogate-input-array", e.Make(m, content: "[\"ok\",\"\\ud800\"]"));
            yield return Post("utf8-invalid-input-array", e.Make(m, content: Concat("[\"ok\",\"", Invalid, "\"]")));
        }
        yield return Post("nul-escape-model", e.Make("\"mock/\\u0000gpt\""));
        // Numbers
        yield return Post("max-tokens-1e400", e.Make(m, maxTokens: "1e400"));
        yield return Post("max-tokens-huge-int", e.Make(m, maxTokens: "99999999999999999999999999999"));
        yield return Post("max-tokens-negative", e.Make(m, maxTokens: "-1"));
        yield return Post("max-tokens-fraction", e.Make(m, maxTokens: "1.5"));
        yield return Post("max-tokens-string", e.Make(m, maxTokens: "\"8\""));
        yield return Post("temperature-1e308", e.Make(m, extra: ",\"temperature\":1e308"));
        yield return Post("temperature-nan", e.Make(m, extra: ",\"temperature\":NaN"));
        yield return Post("dimensions-huge", e.Make(m, extra: ",\"dimensions\":1e99,\"n\":-99999999999"));
        // Deep nesting
        yield return Post("deep-array-unknown-field", e.Make(m, extra: ",\"x\":" + new string('[', 100_000) + new string(']', 100_000)));
        yield return Post("deep-object-content", e.Make(m, content: string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000)));
        yield return Post("deep-array-unclosed", e.Make(m, extra: ",\"x\":" + new string('[', 50_000)));
        // Wrong types and values
        yield return Post("model-number", e.Make("42"));
        yield return Post("model-object", e.Make("{}"));
        yield return Post("model-null", e.Make("null"));
        yield return Post("model-empty", e.Make("\"\""));
        yield return Post("model-200kb", e.Make("\"" + new string('m', 200_000) + "\""));
        yield return Post("content-number", e.Make(m, content: "42"));
        yield return Post("content-object", e.Make(m, content: "{\"text\":1}"));
        yield return Post("stream-string", e.Make(m, extra: ",\"stream\":\"yes\""));
        yield return Post("duplicate-model-keys", e.Make(m, extra: ",\"model\":\"other/model\""));
        yield return e.HasRole
            ? Post("messages-string", Concat("{\"model\":", m, ",\"max_tokens\":8,\"messages\":\"hi\"}"))
            : Post("input-object", e.Make(m, content: "{\"a\":1}"));
        yield return e.HasRole
            ? Post("messages-numbers", Concat("{\"model\":", m, ",\"max_tokens\":8,\"messages\":[1,2,3]}"))
            : Post("input-nested-arrays", e.Make(m, content: "[[1,2],[\"x\"]]"));
        yield return e.HasRole
            ? Post("message-without-role", Concat("{\"model\":", m, ",\"max_tokens\":8,\"messages\":[{\"content\":\"hi\"}]}"))
            : Post("input-empty-array", e.Make(m, content: "[]"));
        yield return e.HasRole
            ? Post("ten-thousand-messages", Concat("{\"model\":", m, ",\"max_tokens\":8,\"messages\":[",
                string.Join(',', Enumerable.Repeat("{\"role\":\"user\",\"content\":\"hi\"}", 10_000)), "]}"))
            : Post("ten-thousand-inputs", e.Make(m, content: "[" + string.Join(',', Enumerable.Repeat("\"hi\"", 10_000)) + "]"));
        // Encodings and content types
        yield return Post("utf16-body", Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(valid)), "Content-Type: application/json; charset=utf-16");
        yield return Post("text-plain", valid, "Content-Type: text/plain");
        yield return Post("no-content-type", valid, "X-Nothing: 1");
        yield return Post("gzip-claimed", valid, "Content-Type: application/json", "Content-Encoding: gzip");
        yield return Post("oversized-5mib", e.Make(m, content: "\"" + new string('a', 5 * 1024 * 1024) + "\""));
        // Framing
        yield return new($"{e.Name}/stalled-body", Build("POST", e.Path, [e.Auth, "Content-Type: application/json"], valid[..10], contentLength: valid.Length + 1000), Stalls: true);
        yield return new($"{e.Name}/chunked-never-ends", Build("POST", e.Path, [e.Auth, "Content-Type: application/json", "Transfer-Encoding: chunked"],
            Concat($"{10:x}\r\n", valid[..10], "\r\n"), contentLength: -1), Stalls: true);
        yield return new($"{e.Name}/chunked-bad-size", Build("POST", e.Path, [e.Auth, "Content-Type: application/json", "Transfer-Encoding: chunked"],
            Utf8("zz\r\nhello\r\n0\r\n\r\n"), contentLength: -1), Expect: 400);
        yield return new($"{e.Name}/length-and-chunked", Build("POST", e.Path, [e.Auth, "Transfer-Encoding: chunked"], Concat($"{valid.Length:x}\r\n", valid, "\r\n0\r\n\r\n")));
        yield return new($"{e.Name}/length-negative", Build("POST", e.Path, [e.Auth, "Content-Length: -5"], valid, contentLength: -1));
        yield return new($"{e.Name}/length-not-a-number", Build("POST", e.Path, [e.Auth, "Content-Length: ten"], valid, contentLength: -1));
        yield return new($"{e.Name}/length-shorter-than-body", Build("POST", e.Path, [e.Auth, "Content-Type: application/json"], valid, contentLength: valid.Length / 2));
        // Methods and credentials
        yield return new($"{e.Name}/get", Build("GET", e.Path, [e.Auth]));
        yield return new($"{e.Name}/put", Build("PUT", e.Path, [e.Auth, "Content-Type: application/json"], valid));
        yield return new($"{e.Name}/delete", Build("DELETE", e.Path, [e.Auth]));
        yield return new($"{e.Name}/no-credential", Build("POST", e.Path, ["Content-Type: application/json"], valid));
        yield return new($"{e.Name}/credential-invalid-utf8", Build("POST", e.Path, [Concat("Authorization: Bearer sk-gw-", Invalid), "x-api-key: " + Encoding.Latin1.GetString([0xE9, 0xFF]), "Content-Type: application/json"], valid));
        yield return new($"{e.Name}/credential-empty-bearer", Build("POST", e.Path, ["Authorization: Bearer ", "Content-Type: application/json"], valid));
        yield return new($"{e.Name}/credential-twice", Build("POST", e.Path, [e.Auth, e.Auth.Replace("sk-", "sk-other-"), "Content-Type: application/json"], valid));
        yield return new($"{e.Name}/credential-64kib", Build("POST", e.Path, ["Authorization: Bearer " + new string('k', 64 * 1024), "Content-Type: application/json"], valid));
        yield return new($"{e.Name}/provider-key-invalid-utf8", Build("POST", e.Path, [e.Auth, Concat("X-Provider-Api-Key: sk-", Invalid), "Content-Type: application/json"], valid));
    }

    static IEnumerable<HostileCase> Models(string key)
    {
        var auth = $"Authorization: Bearer {key}";
        string[] targets =
        [
            "/v1/models/%FF%FE", "/v1/models/%ED%A0%80", "/v1/models/%u0000", "/v1/models/%00", "/v1/models/mock%2Fgpt-4o-mini",
            "/v1/models/..%2F..%2Fadmin%2Fteams", "/v1/models/" + new string('m', 8000), "/v1/models/%zz", "/v1/models/mock/gpt-4o-mini/extra/segments",
            "/v1/models?limit=1e400&after=%FF",
        ];
        foreach (var t in targets) yield return new($"models/get {Trim(t)}", Build("GET", t, [auth]));
        yield return new("models/post", Build("POST", "/v1/models", [auth, "Content-Type: application/json"], Utf8("{}")));
        yield return new("models/delete", Build("DELETE", "/v1/models/mock/gpt-4o-mini", [auth]));
        yield return new("models/no-credential", Build("GET", "/v1/models", []));
        yield return new("models/credential-invalid-utf8", Build("GET", "/v1/models", [Concat("Authorization: Bearer ", Invalid)]));
    }

    static IEnumerable<HostileCase> Admin(string admin)
    {
        var auth = $"Authorization: Bearer {admin}";
        const string json = "Content-Type: application/json";
        HostileCase Post(string path, string name, byte[] body) => new($"admin{path}/{name}", Build("POST", path, [auth, json], body));
        foreach (var path in new[] { "/admin/teams", "/admin/keys", "/admin/budgets", "/admin/routes", "/admin/models", "/admin/providers" })
        {
            yield return Post(path, "truncated", Utf8("{\"name\":"));
            yield return Post(path, "utf8-invalid", Concat("{\"name\":\"t", Invalid, "\",\"teamId\":\"", Invalid, "\"}"));
            yield return Post(path, "lone-surrogate", Utf8("{\"name\":\"\\ud800\",\"scope\":\"\\udc00\",\"primary\":\"\\ud800\",\"provider\":\"\\ud800\",\"model\":\"\\ud800\"}"));
            yield return Post(path, "wrong-types", Utf8("{\"name\":42,\"teamId\":[],\"limitUsd\":\"lots\",\"fallbacks\":\"x\",\"kind\":{},\"inputPricePerMillion\":true}"));
            yield return Post(path, "huge-numbers", Utf8("{\"name\":\"n\",\"limitUsd\":1e400,\"requestsPerMinute\":99999999999999999999,\"inputPricePerMillion\":-1e308}"));
            yield return Post(path, "deep-nesting", Utf8("{\"name\":" + new string('[', 100_000) + "}"));
        }
        yield return Post("/admin/routes", "ten-thousand-fallbacks", Utf8("{\"name\":\"hostile-route\",\"primary\":\"mock/gpt-4o-mini\",\"fallbacks\":[" +
            string.Join(',', Enumerable.Repeat("\"mock/llama-3.1-8b\"", 10_000)) + "]}"));
        yield return Post("/admin/budgets", "ten-thousand-thresholds", Utf8("{\"scope\":\"account\",\"limitUsd\":5,\"thresholds\":[" +
            string.Join(',', Enumerable.Range(0, 10_000).Select(i => i % 100 + 1)) + "]}"));
        yield return Post("/admin/teams", "name-1mib", Utf8("{\"name\":\"" + new string('t', 1024 * 1024) + "\"}"));
        yield return new("admin/teams/stalled-body", Build("POST", "/admin/teams", [auth, json], Utf8("{\"name\":"), contentLength: 500), Stalls: true);
        yield return new("admin/teams/chunked-never-ends", Build("POST", "/admin/teams", [auth, json, "Transfer-Encoding: chunked"], Utf8("8\r\n{\"name\":\r\n"), contentLength: -1), Stalls: true);
        string[] gets =
        [
            "/admin/budgets/not-a-guid", "/admin/requests/%FF", "/admin/keys/%ED%A0%80/usage", "/admin/teams/00000000-0000-0000-0000-000000000000",
            "/admin/history/key/x/at?time=yesterday", "/admin/analytics/latency?metric=%FF&by=nope&from=garbage", "/admin/analytics/cost?from=1e400",
            "/admin/audit?limit=99999999999999999999", "/admin/requests/00000000-0000-0000-0000-000000000000", "/admin/nothing-here",
        ];
        foreach (var g in gets) yield return new($"admin/get {Trim(g)}", Build("GET", g, [auth]));
        yield return new("admin/no-credential", Build("GET", "/admin/teams", []));
        yield return new("admin/wrong-credential", Build("GET", "/admin/teams", ["Authorization: Bearer sk-admin-wrong"]));
        yield return new("admin/credential-invalid-utf8", Build("GET", "/admin/teams", [Concat("Authorization: Bearer ", Invalid)]));
        yield return new("admin/delete-teams", Build("DELETE", "/admin/teams", [auth]));
        yield return new("admin/put-budget-garbage", Build("PUT", "/admin/budgets/00000000-0000-0000-0000-000000000000", [auth, json], Utf8("{\"scope\":")));
    }

    static IEnumerable<HostileCase> Protocol(string key)
    {
        var auth = $"Authorization: Bearer {key}";
        yield return new("proto/unknown-v1-path", Build("GET", "/v1/unknown", [auth]));
        yield return new("proto/legacy-completions", Build("POST", "/v1/completions", [auth, "Content-Type: application/json"], Utf8("{\"model\":\"mock/gpt-4o-mini\",\"prompt\":\"hi\"}")));
        yield return new("proto/v2-path", Build("POST", "/v2/chat/completions", [auth], Utf8("{}")));
        yield return new("proto/bad-percent", Build("GET", "/v1/%zz%", [auth]));
        yield return new("proto/url-100kib", Build("GET", "/v1/models?x=" + new string('q', 100 * 1024), [auth]));
        yield return new("proto/header-without-colon", Build("GET", "/v1/models", [auth, "NoColonHere"]));
        yield return new("proto/header-name-with-space", Build("GET", "/v1/models", [auth, "Bad Name: x"]));
        yield return new("proto/header-invalid-bytes", Build("GET", "/v1/models", [auth, Concat("X-Thing: ", Invalid, new byte[] { 0x00 })]));
        yield return new("proto/thousand-headers", Build("GET", "/v1/models", [auth, .. Enumerable.Range(0, 1000).Select(i => (object)$"X-H{i}: v")]));
        yield return new("proto/garbage-request-line", Utf8("GARBAGE\r\n\r\n"));
        yield return new("proto/binary-noise", Enumerable.Range(0, 512).Select(i => (byte)(i * 37 % 256)).ToArray());
        yield return new("proto/http2-preface", Utf8("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        yield return new("proto/absolute-target", Build("GET", "http://elsewhere.invalid/v1/models", [auth]));
        yield return new("proto/lowercase-method", Build("post", "/v1/chat/completions", [auth], Utf8("{}")));
        yield return new("proto/trace", Build("TRACE", "/v1/models", [auth]));
        yield return new("proto/options-star", Build("OPTIONS", "*", []));
        yield return new("proto/http10-no-host", Utf8("GET /v1/models HTTP/1.0\r\n" + auth + "\r\n\r\n"));
    }

    static string Trim(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
