using OpenTfa.Server.Errors;

namespace OpenTfa.Observability.Tests;

public sealed class LogPathsTests
{
    [Theory]
    [InlineData("/opentfa/v1/applications/AB/destinations/41793026727/history", "/opentfa/v1/applications/AB/destinations/*******6727/history")]
    [InlineData("/opentfa/v1/applications/AB/destinations/ada@example.com/history", "/opentfa/v1/applications/AB/destinations/a***@example.com/history")]
    [InlineData("/2fa/2/pin/0123456789ABCDEF/verify", "/2fa/2/pin/0123456789ABCDEF/verify")]
    public void Redact_MasksTheDestinationInAPath_AndLeavesOtherPathsAlone(string path, string logged) =>
        Assert.Equal(logged, LogPaths.Redact(new Microsoft.AspNetCore.Http.PathString(path)));
}
