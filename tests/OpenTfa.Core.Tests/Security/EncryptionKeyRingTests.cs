using System.Security.Cryptography;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Tests.Security;

public sealed class EncryptionKeyRingTests
{
    private const string Source = "/etc/opentfa/keys";

    [Fact]
    public void Parse_SkipsCommentsAndBlankLines_FirstKeyIsActive()
    {
        byte[] first = RandomNumberGenerator.GetBytes(32);
        byte[] second = RandomNumberGenerator.GetBytes(32);
        string text = $"# rotated 2025-03-01\r\n\r\n   \n2025-03:{Convert.ToBase64String(first)}\r\n  # previous key\n  2024-01:{Convert.ToBase64String(second)}  \n";

        EncryptionKeyRing ring = EncryptionKeyRing.Parse(text, Source);

        Assert.Equal("2025-03", ring.ActiveKeyId);
        Assert.Collection(
            ring.Keys,
            k => { Assert.Equal("2025-03", k.Id); Assert.Equal(first, k.Key); },
            k => { Assert.Equal("2024-01", k.Id); Assert.Equal(second, k.Key); });
    }

    [Fact]
    public void Parse_NewKeyLine_GivesOneUsableKey()
    {
        EncryptionKeyRing ring = EncryptionKeyRing.Parse(EncryptionKeyRing.NewKeyLine("k7"), Source);

        EncryptionKey key = Assert.Single(ring.Keys);
        Assert.Equal("k7", key.Id);
        Assert.Equal(32, key.Key.Length);
        var protector = new SecretProtector(ring);
        Assert.Equal("1234", protector.Open("ID", protector.Seal("ID", "1234")));
    }

    [Fact]
    public void NewKeyLine_TwoCalls_GiveDifferentKeys()
    {
        Assert.NotEqual(EncryptionKeyRing.NewKeyLine("k"), EncryptionKeyRing.NewKeyLine("k"));
    }

    [Theory]
    [InlineData("k1:not*base64!secret")]
    [InlineData("k1:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0=x")]
    public void Parse_BadBase64_IsRefusedWithoutShowingTheKey(string line)
    {
        var exception = Assert.Throws<InvalidOperationException>(() => EncryptionKeyRing.Parse(line, Source));

        Assert.StartsWith(Source, exception.Message);
        Assert.DoesNotContain(line[3..], exception.Message);
        Assert.DoesNotContain("secret", exception.Message);
        Assert.Null(exception.InnerException);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Parse_KeyNot256Bits_IsRefusedWithoutShowingTheKey(int size)
    {
        string material = Convert.ToBase64String(RandomNumberGenerator.GetBytes(size));

        var exception = Assert.Throws<InvalidOperationException>(() => EncryptionKeyRing.Parse($"k1:{material}", Source));

        Assert.Contains("256-bit", exception.Message);
        Assert.StartsWith(Source, exception.Message);
        Assert.DoesNotContain(material, exception.Message);
        Assert.DoesNotContain(material[..8], exception.Message);
    }

    [Fact]
    public void Parse_LineWithoutId_IsRefusedWithoutShowingTheKey()
    {
        string material = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var noColon = Assert.Throws<InvalidOperationException>(() => EncryptionKeyRing.Parse(material, Source));
        var emptyId = Assert.Throws<InvalidOperationException>(() => EncryptionKeyRing.Parse(":" + material, Source));

        Assert.DoesNotContain(material[..8], noColon.Message);
        Assert.DoesNotContain(material[..8], emptyId.Message);
        Assert.Contains("id:base64-key", emptyId.Message);
    }

    [Fact]
    public void Parse_OneBadLineAmongGoodOnes_RefusesTheWholeFile()
    {
        string good = EncryptionKeyRing.NewKeyLine("good");

        Assert.Throws<InvalidOperationException>(() => EncryptionKeyRing.Parse($"{good}\nbad:AAAA\n", Source));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("# only a comment\n   \n")]
    public void Parse_NoKey_IsRefusedNamingTheSource(string text)
    {
        var exception = Assert.Throws<InvalidOperationException>(() => EncryptionKeyRing.Parse(text, Source));

        Assert.Equal($"{Source} holds no key.", exception.Message);
    }

    [Fact]
    public void Constructor_EmptyList_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new EncryptionKeyRing([]));
    }
}
