using Gateway.Api.Recording;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Stats;

public static class RecorderStatsEndpoint
{
    /// <summary>How the group commit of request records is doing on this node.</summary>
    [WolverineGet("/admin/stats/recorder", OperationId = "recorderStats")]
    [Tags("stats")]
    public static RecorderStats Get(UsageRecorder recorder) => recorder.Stats();
}
