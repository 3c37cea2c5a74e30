using System.IO.Pipelines;

namespace Gateway.Api.RequestPath.Wire;

/// <summary>
/// The wire format a client speaks to the gateway: OpenAI's on /v1/chat/completions, Anthropic's on /v1/messages.
/// Inside, every request is OpenAI-format; a dialect translates at the edges, in both directions.
/// </summary>
public abstract class ClientDialect
{
    public abstract string InvalidKeyMessage { get; }

    /// <summary>The API the client called, as the record names it.</summary>
    public abstract string ApiFor(Operation operation);

    /// <summary>
    /// The client speaks OpenAI's format: bodies and answers pass as they are, and streams are sent as OpenAI chunks, so
    /// what was sent can also serve to count tokens.
    /// </summary>
    public virtual bool SpeaksOpenAi => false;

    /// <summary>Learns the id and start of the request it serves (a dialect that keeps per-request state is made per request).</summary>
    public virtual void Bind(Guid requestId, DateTimeOffset created) { }

    /// <summary>
    /// Before translation, reads what the request refers to that is kept in the database (a stored conversation); an
    /// error refuses the request. Nothing by default.
    /// </summary>
    public virtual ValueTask<Domain.Requests.ClientError?> PrepareAsync(ReadOnlyMemory<byte> body, ControlPlane.GatewayKey key, CancellationToken ct) =>
        ValueTask.FromResult<Domain.Requests.ClientError?>(null);

    /// <summary>
    /// The provider kind whose wire format this dialect is: a target of that kind gets the client's body as it came (its
    /// model name swapped) and the client gets the upstream's answer and stream as they came. Null: always translated.
    /// </summary>
    public virtual string? NativeKind => null;

    /// <summary>Some targets may take the client's body as it is: a request the translation refuses is then tried on them (<see cref="TranslatePartly"/>).</summary>
    public virtual bool HasNativeTargets => NativeKind is not null;

    /// <summary>
    /// For a request <see cref="TranslateRequest"/> refused: writes what can be translated of it, so a target of
    /// the native format can still take it as it is (other targets are refused with the translation's error).
    /// </summary>
    public virtual bool TranslatePartly(ReadOnlySpan<byte> body, PooledBuffer output) => false;

    /// <summary>
    /// Writes the upstream body when <paramref name="target"/> takes the client's format as it is; false when it does not
    /// (the translated body goes instead). By default: a target of <see cref="NativeKind"/> gets the body with its model name swapped.
    /// </summary>
    public virtual bool WriteNativeBody(ReadOnlySpan<byte> body, ControlPlane.CatalogModel target, Providers.IProviderAdapter adapter, PooledBuffer output) =>
        NativeKind == adapter.Kind && adapter.WriteNativeBody(body, target, output);

    /// <summary>
    /// The client's answer from an upstream's native one: as it came but for the public model name (and whatever else
    /// the dialect's own ids and state ask for).
    /// </summary>
    public virtual void WriteNativeAnswer(ReadOnlySpan<byte> upstreamAnswer, string publicModel, PooledBuffer output) =>
        JsonModelSplice.Write(upstreamAnswer, 1, publicModel, output);

    /// <summary>The stream of an answer served natively: the upstream's own events in, passed on as they are.</summary>
    public virtual ClientStream OpenNativeStream(string publicModel, PipeWriter writer) => throw new NotSupportedException();

    /// <summary>Writes the client's body in OpenAI's format to <paramref name="output"/>; false when it already is.</summary>
    /// <exception cref="System.Text.Json.JsonException">Malformed JSON.</exception>
    /// <exception cref="TranslationException">Well-formed, but not a valid request.</exception>
    public abstract bool TranslateRequest(ReadOnlySpan<byte> body, PooledBuffer output);

    /// <param name="type">One of <see cref="Domain.Requests.ErrorTypes"/>.</param>
    public abstract byte[] Error(int status, string message, string type, string? code, string? param = null);

    /// <summary>Writes a complete OpenAI-format answer in the client's format to <paramref name="output"/>; false when it already is.</summary>
    public abstract bool TranslateResponse(ReadOnlySpan<byte> openAiResponse, PooledBuffer output);

    /// <summary>Opens the streamed answer of request <paramref name="requestId"/>, served by <paramref name="model"/>.</summary>
    /// <param name="created">When the request started: the answer's creation time.</param>
    public abstract ClientStream OpenStream(RequestHead head, Guid requestId, DateTimeOffset created, string model, PipeWriter writer);
}
