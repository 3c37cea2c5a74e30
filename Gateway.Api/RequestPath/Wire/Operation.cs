namespace Gateway.Api.RequestPath.Wire;

/// <summary>What a request asks of its model: a chat completion or embeddings.</summary>
public enum Operation { Chat, Embeddings }
