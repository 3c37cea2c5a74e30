using System.Text;

namespace MockProvider;

/// <summary>One request as it reached the mock. Body text and model are decoded on first use, keeping logging off the hot path.</summary>
public sealed class LoggedRequest
{
    private readonly byte[] _body;
    private string? _bodyText;
    private string? _model;
    private volatile bool _modelParsed;

    internal LoggedRequest(string method, string path, byte[] body, string? authorization)
    {
        Method = method;
        Path = path;
        _body = body;
        Authorization = authorization;
        ReceivedAt = DateTimeOffset.UtcNow;
    }

    public string Method { get; }
    public string Path { get; }

    /// <summary>The <c>Authorization</c> header exactly as received, or null when absent.</summary>
    public string? Authorization { get; }

    public DateTimeOffset ReceivedAt { get; }

    public ReadOnlyMemory<byte> BodyBytes => _body;

    public string Body => _bodyText ??= Encoding.UTF8.GetString(_body);

    /// <summary>The top-level <c>model</c> of a JSON body, or null when absent or unparseable.</summary>
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

    public override string ToString() => $"{Method} {Path} model={Model}";
}
