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

    [Fact]
    public void KeyFromHeader_Basic_IsThePassword()
    {
        // "user:pa:ss" — the user name ends at the first colon; the key may hold colons.
        Assert.Equal("pa:ss", AccessService.KeyFromHeader("Basic dXNlcjpwYTpzcw=="));
    }

    [Theory]
    [InlineData("Basic x")]
    [InlineData("Basic OnBhc3M=")]
    [InlineData("Basic dXNlcg==")]
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
