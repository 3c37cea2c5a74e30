using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Domain.Budgets;
using Gateway.Domain.Requests;

namespace Gateway.Analytics;

/// <summary>
/// Compile-time JSON metadata for the events the exporter decodes (camelCase, as Marten stores them): no reflection
/// and no warm-up on the export path.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RequestCompleted))]
[JsonSerializable(typeof(BudgetDebited))]
internal sealed partial class AnalyticsJson : JsonSerializerContext;
