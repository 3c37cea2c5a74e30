using System.Text.Json.Serialization;

namespace MockProvider;

// Unknown fields are rejected so a typo in a demo script ("latency" for "latencyMs") fails loudly instead of silently doing nothing.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelBehavior))]
[JsonSerializable(typeof(ModelBehaviorBody))]
[JsonSerializable(typeof(MockToolCall))]
internal sealed partial class MockJsonContext : JsonSerializerContext;
