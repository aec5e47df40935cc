using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Server.Hosting;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Hosting;

/// <summary>The running version and commit: for any valid key at /opentfa/v1/version, and in the operator's readiness details.</summary>
public sealed class VersionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task Version_AnyValidKey_AnswersVersionAndCommit()
    {
        string sendOnly = await _server.Client().CreateKeyAsync("\"2fa:pin:send\"");

        Reply reply = await _server.Client(sendOnly).GetJsonAsync("/opentfa/v1/version");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(BuildInfo.Version, reply.Str("version"));
        Assert.Equal(BuildInfo.Commit, reply.Str("commit"));
        Assert.Matches(@"^\d+\.\d+\.\d+", reply.Str("version"));
    }

    [Fact]
    public async Task Version_WithoutKey_Is401ProblemDetails()
    {
        Reply reply = await _server.Client(key: null).GetJsonAsync("/opentfa/v1/version");

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Null(reply.Body?["version"]);
    }

    [Fact]
    public async Task ReadinessDetails_ForTheOperator_CarryVersionAndCommit()
    {
        JsonNode details = (await _server.Client().GetJsonAsync("/health/ready")).Json["details"]!;

        Assert.Equal(BuildInfo.Version, details["version"]!.GetValue<string>());
        Assert.Equal(BuildInfo.Commit, details["commit"]!.GetValue<string>());
    }
}
