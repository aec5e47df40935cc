using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Tests.Security;

public sealed partial class ApiKeyFormatTests
{
    [GeneratedRegex("^otf_(?<id>[0-9a-f]{16})_(?<secret>[A-Za-z0-9_-]{43})$")]
    private static partial Regex GeneratedKey();

    [Fact]
    public void Generate_HasPrefixPublicIdAndUrlSafeSecret()
    {
        (string keyId, string key) = ApiKeyFormat.Generate();

        Match match = GeneratedKey().Match(key);
        Assert.True(match.Success, key);
        Assert.Equal(keyId, match.Groups["id"].Value);
    }

    [Fact]
    public void Generate_ManyKeys_AreAllDistinctInIdAndKey()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 1_000; i++)
        {
            (string keyId, string key) = ApiKeyFormat.Generate();
            Assert.True(ids.Add(keyId));
            Assert.True(keys.Add(key));
        }
    }

    [Fact]
    public void KeyIdOf_GeneratedKey_IsItsPublicId()
    {
        for (int i = 0; i < 100; i++)
        {
            (string keyId, string key) = ApiKeyFormat.Generate();

            Assert.Equal(keyId, ApiKeyFormat.KeyIdOf(key));
        }
    }

    [Theory]
    [InlineData("my-own-bootstrap-key-with-enough-entropy")]
    [InlineData("otf_0123456789ABCDEF_uppercaseIdIsNotGenerated")]
    [InlineData("otf_0123456789abcdeg_notHex")]
    [InlineData("otf_0123456789abcdef")]
    [InlineData("otf_0123456789abcdef_")]
    [InlineData("otf_0123456789abcde_short")]
    [InlineData("OTF_0123456789abcdef_prefixInUpperCase")]
    [InlineData("k")]
    public void KeyIdOf_OperatorChosenKey_IsTheFixedBootstrapIdAndNothingOfItsHash(string key)
    {
        string hashPrefix = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();

        string keyId = ApiKeyFormat.KeyIdOf(key);

        Assert.Equal(ApiKeyFormat.OperatorChosenKeyId, keyId);
        Assert.DoesNotContain(hashPrefix[..8], keyId, StringComparison.Ordinal);
        Assert.Equal(hashPrefix, ApiKeyFormat.LegacyKeyIdOf(key));
    }

    [Fact]
    public void KeyIdOf_GeneratedShapeWithShortestSecret_IsTheIdPart()
    {
        Assert.Equal("0123456789abcdef", ApiKeyFormat.KeyIdOf("otf_0123456789abcdef_x"));
    }

    [Fact]
    public void Hash_IsSha256OfTheWholeKey()
    {
        const string key = "otf_0123456789abcdef_secret";

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key)), ApiKeyFormat.Hash(key));
    }

    [Fact]
    public void HashMatches_SameKey_IsTrue()
    {
        (_, string key) = ApiKeyFormat.Generate();

        Assert.True(ApiKeyFormat.HashMatches(key, ApiKeyFormat.Hash(key)));
    }

    [Fact]
    public void HashMatches_KeyWithSameIdButOtherSecret_IsFalse()
    {
        (string keyId, string key) = ApiKeyFormat.Generate();
        string forged = $"otf_{keyId}_{new string('A', 43)}";

        Assert.Equal(keyId, ApiKeyFormat.KeyIdOf(forged));
        Assert.False(ApiKeyFormat.HashMatches(forged, ApiKeyFormat.Hash(key)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(33)]
    public void HashMatches_StoredHashOfWrongSize_IsFalse(int size)
    {
        (_, string key) = ApiKeyFormat.Generate();

        Assert.False(ApiKeyFormat.HashMatches(key, new byte[size]));
    }

    [Fact]
    public void HashMatches_KeyDifferingInItsLastCharacter_IsFalse()
    {
        (_, string key) = ApiKeyFormat.Generate();
        string other = key[..^1] + (key[^1] == 'a' ? 'A' : 'a');

        Assert.False(ApiKeyFormat.HashMatches(other, ApiKeyFormat.Hash(key)));
    }
}
