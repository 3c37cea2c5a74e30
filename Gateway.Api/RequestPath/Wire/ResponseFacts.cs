using System.Text.Json;

namespace Gateway.Api.RequestPath.Wire;

/// <summary>
/// The response id and finish reasons of an OpenAI-format answer or stream chunk, for the request's span
/// (<c>gen_ai.response.id</c>, <c>gen_ai.response.finish_reasons</c>). Read only when the request is traced.
/// </summary>
public sealed class ResponseFacts
{
    readonly List<string> finishReasons = new(1);

    public string? Id { get; private set; }
    public IReadOnlyList<string> FinishReasons => finishReasons;

    /// <summary>Takes the top-level <c>id</c> (the first seen) and each choice's non-null <c>finish_reason</c>.</summary>
    public void Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var inChoices = false;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    if (inChoices && reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == 1) inChoices = false;
                    continue;
                }
                if (reader.CurrentDepth == 1)
                {
                    if (reader.ValueTextEquals("id"u8) && reader.Read() && reader.TokenType == JsonTokenType.String) Id ??= reader.GetString();
                    else if (reader.ValueTextEquals("choices"u8)) inChoices = true;
                    else if (!inChoices) reader.Skip();
                }
                else if (inChoices && reader.CurrentDepth == 3 && reader.ValueTextEquals("finish_reason"u8)
                    && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    var reason = reader.GetString()!;
                    if (!finishReasons.Contains(reason)) finishReasons.Add(reason);
                }
            }
        }
        catch (JsonException)
        {
            // Facts for a span: a chunk that does not parse adds none.
        }
    }
}
