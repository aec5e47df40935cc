using Microsoft.AspNetCore.Http.HttpResults;
using OpenTfa.Contracts;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Server.Endpoints;

/// <summary><c>GET /opentfa/v1/version</c>: the running version and commit, for any valid key (anonymous callers learn nothing to match against advisories).</summary>
internal static class VersionEndpoints
{
    public static void MapVersion(this IEndpointRouteBuilder app) =>
        app.MapGet("/opentfa/v1/version", GetVersion).RequireAuthorization();

    private static JsonHttpResult<VersionResponse> GetVersion() =>
        TypedResults.Json(new VersionResponse { Version = BuildInfo.Version, Commit = BuildInfo.Commit }, OpenTfaJsonContext.Wire.VersionResponse);
}
