using System.Security.Cryptography;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Tests.Security;

public sealed class SecretProtectorTests
{
    private const string PinId = "9C8B7A6F5E4D3C2B1A0F9E8D7C6B5A49";

    private static EncryptionKey NewKey(string id) => new(id, RandomNumberGenerator.GetBytes(32));

    private static SecretProtector Protector(params EncryptionKey[] keys) => new(new EncryptionKeyRing(keys));

    [Theory]
    [InlineData("1234")]
    [InlineData("A1B2C3D4E5F6G7H8I9J0")]
    [InlineData("")]
    [InlineData("{\"text\":\"Votre code est 1234 – ünïcödé ✓ 😀\"}")]
    public void Open_WhatWasSealed_ReturnsTheSameText(string plaintext)
    {
        SecretProtector protector = Protector(NewKey("k1"));

        SealedSecret sealedSecret = protector.Seal(PinId, plaintext);

        Assert.Equal(plaintext, protector.Open(PinId, sealedSecret));
    }

    [Fact]
    public void Seal_DoesNotContainTheClearText()
    {
        SecretProtector protector = Protector(NewKey("k1"));

        SealedSecret sealedSecret = protector.Seal(PinId, "12345678901234567890");

        Assert.DoesNotContain("12345678901234567890", System.Text.Encoding.UTF8.GetString(sealedSecret.Data));
        Assert.Equal(12 + 20 + 16, sealedSecret.Data.Length);
    }

    [Fact]
    public void Open_WithAnotherAssociatedId_Fails()
    {
        SecretProtector protector = Protector(NewKey("k1"));
        SealedSecret sealedSecret = protector.Seal(PinId, "1234");

        Assert.ThrowsAny<CryptographicException>(() => protector.Open("0000000000000000000000000000000A", sealedSecret));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(15)]
    [InlineData(-1)]
    public void Open_TamperedByte_Fails(int index)
    {
        SecretProtector protector = Protector(NewKey("k1"));
        SealedSecret sealedSecret = protector.Seal(PinId, "1234");
        byte[] data = (byte[])sealedSecret.Data.Clone();
        int at = index < 0 ? data.Length + index : index;
        data[at] ^= 0x01;

        Assert.ThrowsAny<CryptographicException>(() => protector.Open(PinId, sealedSecret with { Data = data }));
    }

    [Fact]
    public void Open_SealedUnderAnotherKeyWithTheSameId_Fails()
    {
        SealedSecret sealedSecret = Protector(NewKey("k1")).Seal(PinId, "1234");

        Assert.ThrowsAny<CryptographicException>(() => Protector(NewKey("k1")).Open(PinId, sealedSecret));
    }

    [Fact]
    public void Seal_SameTextTwice_GivesDifferentData()
    {
        SecretProtector protector = Protector(NewKey("k1"));

        SealedSecret first = protector.Seal(PinId, "1234");
        SealedSecret second = protector.Seal(PinId, "1234");

        Assert.NotEqual(first.Data, second.Data);
        Assert.NotEqual(first.Data[..12], second.Data[..12]);
        Assert.Equal("1234", protector.Open(PinId, first));
        Assert.Equal("1234", protector.Open(PinId, second));
    }

    [Fact]
    public void Seal_RecordsTheActiveKeyId()
    {
        SealedSecret sealedSecret = Protector(NewKey("2025-03"), NewKey("2024-01")).Seal(PinId, "1234");

        Assert.Equal("2025-03", sealedSecret.KeyId);
    }

    [Fact]
    public void RotatedRing_OpensRowsSealedWithTheOldKeyAndSealsWithTheNewOne()
    {
        EncryptionKey oldKey = NewKey("old");
        EncryptionKey newKey = NewKey("new");
        SealedSecret beforeRotation = Protector(oldKey).Seal(PinId, "4321");
        SecretProtector rotated = Protector(newKey, oldKey);

        SealedSecret afterRotation = rotated.Seal(PinId, "8765");

        Assert.Equal("4321", rotated.Open(PinId, beforeRotation));
        Assert.Equal("new", afterRotation.KeyId);
        Assert.Equal("8765", rotated.Open(PinId, afterRotation));
        Assert.True(rotated.Matches(PinId, beforeRotation, "4321"));
    }

    [Fact]
    public void Open_KeyIdNotInTheRing_FailsNamingTheKeyId()
    {
        SealedSecret sealedSecret = Protector(NewKey("retired")).Seal(PinId, "1234");

        var exception = Assert.ThrowsAny<CryptographicException>(() => Protector(NewKey("current")).Open(PinId, sealedSecret));

        Assert.Contains("'retired'", exception.Message);
        Assert.Contains("not in the key ring", exception.Message);
    }

    [Theory]
    [InlineData("AB12CD", "ab12cd")]
    [InlineData("AB12CD", "Ab12cD")]
    [InlineData("1234", " 1234")]
    [InlineData("1234", "1234 \r\n")]
    [InlineData("ABCD", "\tabcd ")]
    [InlineData("1234", "1234")]
    public void Matches_SameValueInAnyCaseOrWithSurroundingWhitespace_IsTrue(string pin, string candidate)
    {
        SecretProtector protector = Protector(NewKey("k1"));

        Assert.True(protector.Matches(PinId, protector.Seal(PinId, pin), candidate));
    }

    [Theory]
    [InlineData("1234", "1235")]
    [InlineData("1234", "123")]
    [InlineData("1234", "12345")]
    [InlineData("1234", "12 34")]
    [InlineData("1234", "")]
    [InlineData("ABCD", "ABCE")]
    public void Matches_DifferentValue_IsFalse(string pin, string candidate)
    {
        SecretProtector protector = Protector(NewKey("k1"));

        Assert.False(protector.Matches(PinId, protector.Seal(PinId, pin), candidate));
    }

    [Fact]
    public void Matches_SealedForAnotherPin_Fails()
    {
        SecretProtector protector = Protector(NewKey("k1"));
        SealedSecret other = protector.Seal("11111111111111111111111111111111", "1234");

        Assert.ThrowsAny<CryptographicException>(() => protector.Matches(PinId, other, "1234"));
    }
}
