using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.Providers;
using Gateway.Api.OpenAi;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Requests;
using Gateway.Projections;

namespace Gateway.Api.Responses;

/// <summary>
/// OpenAI's Responses format on the client side (<c>POST /v1/responses</c>), served by any catalog model: the request is
/// translated to a chat completion (continuing a stored conversation when it names <c>previous_response_id</c>), the
/// answer and the stream back to a response object and its events. One instance per request: it holds the request's
/// response object and, with <c>store</c>, what is kept of it.
/// </summary>
public sealed class ResponsesDialect(ResponseStore store) : ClientDialect
{
    JsonElement request;
    ResponsesHead? head;
    ResponseObject? response;
    StoredConversation? previous;

    /// <summary>What to keep of this request once answered (null unless <c>store</c> and answered).</summary>
    public StoredResponse? Kept { get; private set; }

    public override string InvalidKeyMessage => GatewayKeyAuth.InvalidKeyMessage;

    public override string ApiFor(Operation operation) => "responses";

    public override void Bind(Guid requestId, DateTimeOffset created) => RequestId = (requestId, created);

    (Guid Id, DateTimeOffset Created) RequestId;

    public override async ValueTask<ClientError?> PrepareAsync(ReadOnlyMemory<byte> body, GatewayKey key, CancellationToken ct)
    {
        string? previousId;
        try
        {
            previousId = ResponsesRequest.PreviousResponseId(body.Span);
        }
        catch (JsonException)
        {
            return null; // said by the translation, with the parser's message
        }
        if (previousId is null) return null;
        previous = ResponseIds.TryParse(previousId, out var id) ? await store.ConversationAsync(id, key.TeamId, ct) : null;
        return previous is null
            ? new ClientError(400, $"Previous response with id '{previousId}' not found.", ErrorTypes.InvalidRequest, "previous_response_not_found", "previous_response_id")
            : null;
    }

    public override bool TranslateRequest(ReadOnlySpan<byte> body, PooledBuffer output) => Translate(body, output, lenient: false);

    /// <summary>What only OpenAI's own Responses API serves can still go to an upstream that serves it.</summary>
    public override bool HasNativeTargets => true;

    public override bool TranslatePartly(ReadOnlySpan<byte> body, PooledBuffer output) => Translate(body, output, lenient: true);

    bool Translate(ReadOnlySpan<byte> body, PooledBuffer output, bool lenient)
    {
        head = ResponsesRequest.Write(body, output, previous?.Messages ?? default, lenient);
        request = JsonSerializer.Deserialize<JsonElement>(body);
        response = new ResponseObject(RequestId.Id, RequestId.Created, request);
        return true;
    }

    public override byte[] Error(int status, string message, string type, string? code, string? param = null) =>
        OpenAiError.Serialize(message, type, code, param);

    public override bool TranslateResponse(ReadOnlySpan<byte> openAiResponse, PooledBuffer output)
    {
        var (answer, usage, reasoning, model) = ResponsesResponse.Read(openAiResponse, response!);
        using (var json = new Utf8JsonWriter(output))
            response!.Write(json, model ?? head!.Model, answer.IncompleteReason is null ? "completed" : "incomplete", answer, usage, reasoning);
        Keep(answer, output.Span);
        return true;
    }

    public override ClientStream OpenStream(RequestHead chat, Guid requestId, DateTimeOffset created, string model, PipeWriter writer) =>
        new ResponsesClientStream(writer, new ResponsesStreamEncoder(response!, model), this);

    /// <summary>A provider that serves the Responses API gets the request as the client wrote it (<see cref="ResponsesPassthrough"/>).</summary>
    public override bool WriteNativeBody(ReadOnlySpan<byte> body, CatalogModel target, Providers.IProviderAdapter adapter, PooledBuffer output)
    {
        if (!target.Provider.ServesResponses) return false;
        ResponsesPassthrough.WriteBody(body, target.UpstreamModel, previous?.Messages ?? default, output);
        return true;
    }

    public override void WriteNativeAnswer(ReadOnlySpan<byte> upstreamAnswer, string publicModel, PooledBuffer output)
    {
        var start = output.Length;
        ResponsesPassthrough.Splice(upstreamAnswer, 1, response!.Id, publicModel, head!.Store, head.PreviousResponseId, output);
        if (!Keeps) return;
        var reader = new Utf8JsonReader(output.Span[start..]);
        using var document = JsonDocument.ParseValue(ref reader);
        KeepNative(document.RootElement);
    }

    public override ClientStream OpenNativeStream(string publicModel, PipeWriter writer) => new ResponsesNativeStream(writer, this, publicModel);

    /// <summary>Writes a lifecycle event's response object under the gateway's id, model, store and previous response.</summary>
    internal void SpliceEvent(ReadOnlySpan<byte> data, string publicModel, PooledBuffer output) =>
        ResponsesPassthrough.Splice(data, 2, response!.Id, publicModel, head!.Store, head.PreviousResponseId, output);

    /// <summary>The request asked for <c>store</c>: its answer is kept.</summary>
    internal bool Keeps => head is { Store: true };

    /// <summary>A natively served answer is kept as a translated one is, from its response object (as the client got it).</summary>
    internal void KeepNative(JsonElement response) =>
        Keep(ResponseOutput.Of(response), System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(response));

    /// <summary>With <c>store</c>, the answer is kept with the request's record: its messages, input items and response object.</summary>
    internal void Keep(ResponseOutput answer, ReadOnlySpan<byte> responseJson)
    {
        if (head is not { Store: true }) return;
        var messages = new ArrayBufferWriter<byte>(head.InputMessages.Length + 256);
        using (var json = new Utf8JsonWriter(messages))
        {
            json.WriteStartArray();
            using (var own = JsonDocument.Parse(head.InputMessages))
                foreach (var message in own.RootElement.EnumerateArray()) message.WriteTo(json);
            answer.WriteChatMessage(json);
            json.WriteEndArray();
        }
        Kept = new StoredResponse(RequestId.Id, previous?.Id, System.Text.Encoding.UTF8.GetString(messages.WrittenSpan),
            ResponseInputItems.Of(request, RequestId.Id), System.Text.Encoding.UTF8.GetString(responseJson));
    }
}

internal sealed class ResponsesClientStream(PipeWriter writer, ResponsesStreamEncoder encoder, ResponsesDialect dialect) : ClientStream(writer)
{
    readonly PooledBuffer frames = new(1024);

    public override void Start(TokenUsage prompt)
    {
        frames.Clear();
        encoder.Start(frames);
        Write(frames.Span);
    }

    public override void OnChunk(ReadOnlySpan<byte> chunkJson)
    {
        frames.Clear();
        encoder.OnChunk(chunkJson, frames);
        if (frames.Length > 0) Write(frames.Span);
    }

    public override void Complete(TokenUsage usage)
    {
        frames.Clear();
        encoder.Complete(usage, frames);
        Hold(frames.Span);
        dialect.Keep(encoder.Output, encoder.Completed.Span);
    }

    public override void Fail(int status, string message)
    {
        frames.Clear();
        encoder.Fail(status, message, frames);
        Hold(frames.Span);
    }

    public override void Dispose()
    {
        frames.Dispose();
        base.Dispose();
    }
}
