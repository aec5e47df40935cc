using Microsoft.AspNetCore.Http.HttpResults;
using OpenTfa.Contracts;
using OpenTfa.Server.Hosting;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary><c>GET /opentfa/v1/version</c>: the running version and commit, for any valid key (anonymous callers learn nothing to match against advisories).</summary>
internal static class VersionEndpoints
{
    public static void MapVersion(this IEndpointRouteBuilder app) =>
        app.MapGet("/opentfa/v1/version", GetVersion).RequireAuthorization().WithTags("Operations")
            .Operation("getVersion", "Get the server's version", "Any valid key.").Answers<VersionResponse>();

    private static JsonHttpResult<VersionResponse> GetVersion() =>
        TypedResults.Json(new VersionResponse { Version = BuildInfo.Version, Commit = BuildInfo.Commit }, OpenTfaJsonContext.Wire.VersionResponse);
}
