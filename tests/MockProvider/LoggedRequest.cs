using System.Text;

namespace MockProvider;

/// <summary>One request as it reached the mock. Body text and model are decoded on first use, keeping logging off the hot path.</summary>
public sealed class LoggedRequest
{
    private readonly byte[] _body;
    private string? _bodyText;
    private string? _model;
    private volatile bool _modelParsed;

    internal LoggedRequest(HttpRequest request, byte[] body, string? apiKey, string? pathModel)
    {
        Method = request.Method;
        Path = request.Path.Value ?? "";
        Query = request.QueryString.Value ?? "";
        _body = body;
        Authorization = request.Headers.Authorization;
        ApiKey = apiKey;
        Headers = LoggedHeaders.From(request.Headers);
        ReceivedAt = DateTimeOffset.UtcNow;
        if (pathModel is not null)
        {
            _model = pathModel;
            _modelParsed = true;
        }
    }

    public string Method { get; }
    public string Path { get; }

    /// <summary>The query string as received, with its leading <c>?</c>, or empty.</summary>
    public string Query { get; }

    /// <summary>The <c>Authorization</c> header exactly as received, or null when absent.</summary>
    public string? Authorization { get; }

    /// <summary>
    /// The credential as received: the endpoint's own carrier first (Bearer token, <c>x-api-key</c>,
    /// <c>x-goog-api-key</c> or <c>key</c> query, <c>api-key</c>), else any other of them, else null.
    /// </summary>
    public string? ApiKey { get; }

    /// <summary>The provider-specific request headers that change behavior (see <see cref="LoggedHeaders.Names"/>), as received.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string? AnthropicVersion => Headers.GetValueOrDefault("anthropic-version");

    public DateTimeOffset ReceivedAt { get; }

    public ReadOnlyMemory<byte> BodyBytes => _body;

    public string Body => _bodyText ??= Encoding.UTF8.GetString(_body);

    /// <summary>The model the call addressed: from the URL for Gemini and Azure, else the top-level <c>model</c> of a JSON body; null when absent or unparseable.</summary>
    public string? Model
    {
        get
        {
            if (!_modelParsed)
            {
                _model = RequestJson.TryReadTopLevelString(_body, "model"u8);
                _modelParsed = true;
            }
            return _model;
        }
    }

    public override string ToString() => $"{Method} {Path}{Query} model={Model}";
}
