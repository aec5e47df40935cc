using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Tests.Tenancy;

public sealed class AccessServiceTests
{
    [Theory]
    [InlineData("App otf_0123456789abcdef_secret", "otf_0123456789abcdef_secret")]
    [InlineData("app k", "k")]
    [InlineData("APP k", "k")]
    [InlineData("Bearer k", "k")]
    [InlineData("bearer k", "k")]
    [InlineData("App   k  ", "k")]
    [InlineData("  App k", "k")]
    [InlineData("k", "k")]
    [InlineData("  k  ", "k")]
    public void KeyFromHeader_AppBearerOrBareKey_GivesTheKey(string header, string expected)
    {
        Assert.Equal(expected, AccessService.KeyFromHeader(header));
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Basic x")]
    [InlineData("Digest username=x")]
    [InlineData("Token k")]
    [InlineData("ApiKey k")]
    public void KeyFromHeader_OtherScheme_IsNull(string header)
    {
        Assert.Null(AccessService.KeyFromHeader(header));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void KeyFromHeader_Empty_IsNull(string? header)
    {
        Assert.Null(AccessService.KeyFromHeader(header));
    }
}
