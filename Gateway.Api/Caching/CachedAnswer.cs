using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Caching;

/// <summary>
/// An answer kept in the response cache: the whole OpenAI <c>chat.completion</c> (a streamed answer is assembled into one),
/// the catalog model that made it, its usage and what it cost then — what a hit saves.
/// </summary>
public sealed record CachedAnswer(byte[] Completion, string ModelPublicId, TokenUsage Usage, decimal Cost);
