namespace Gateway.Api.Observability;

/// <summary>
/// Attribute and instrument names of the OpenTelemetry GenAI semantic conventions, as of semantic conventions v1.38.0
/// (still "development" status there: pinned here, and named in docs/observability.md), and the gateway's own under
/// <c>gateway.</c>.
/// </summary>
public static class GenAi
{
    public const string SemanticConventionsVersion = "1.38.0";

    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string RequestStream = "gen_ai.request.stream";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string CacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
    public const string CacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string HttpStatusCode = "http.response.status_code";

    // The gateway's own.
    public const string RequestId = "gateway.request.id";
    public const string KeyId = "gateway.key.id";
    public const string TeamId = "gateway.team.id";
    public const string Route = "gateway.route";
    public const string AttemptNumber = "gateway.attempt.number";
    public const string AttemptOutcome = "gateway.attempt.outcome";
    public const string DowngradedBy = "gateway.budget.downgraded_by";
    public const string CostUsd = "gateway.cost_usd";
    public const string UsageEstimated = "gateway.usage.estimated";

    /// <summary>The operation as the conventions name it: <c>chat</c> or <c>embeddings</c>.</summary>
    public static string Operation(RequestPath.Wire.Operation operation) => operation == RequestPath.Wire.Operation.Chat ? "chat" : "embeddings";

    /// <summary>The provider as the conventions name it (<c>gen_ai.provider.name</c>'s well-known values), from the provider's kind.</summary>
    public static string Provider(string kind) => kind switch
    {
        "openai" => "openai",
        "azure" => "azure.ai.openai",
        "anthropic" => "anthropic",
        "gemini" => "gcp.gemini",
        "mistral" => "mistral_ai",
        _ => kind,
    };
}
