using System.Net;
using System.Numerics;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Tests.Security;

public sealed class SpecialPurposeAddressesTests
{
    public static TheoryData<string> RefusedBlocks()
    {
        var data = new TheoryData<string>();
        foreach (SpecialPurposeBlock block in SpecialPurposeAddresses.Blocks.Where(b => b.Rule == SpecialPurposeRule.Refused))
        {
            data.Add(block.Cidr);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedBlocks))]
    public void RefusedBlock_ItsFirstMiddleAndLastAddresses_AreNotGloballyReachable(string cidr)
    {
        SpecialPurposeBlock block = SpecialPurposeAddresses.Blocks.First(b => b.Cidr == cidr);

        foreach (IPAddress address in new[] { First(block), Middle(block), Last(block) })
        {
            Assert.True(block.Contains(address), $"{address} in {block}");
            Assert.False(SpecialPurposeAddresses.IsGloballyReachable(address), $"{address} ({block}) was allowed");
            Assert.NotNull(SpecialPurposeAddresses.RefusingBlock(address));
        }
    }

    [Theory]
    [MemberData(nameof(RefusedBlocks))]
    public void RefusedBlock_TheAddressJustPastIt_IsNotInIt(string cidr)
    {
        SpecialPurposeBlock block = SpecialPurposeAddresses.Blocks.First(b => b.Cidr == cidr);
        BigInteger next = ToNumber(Last(block)) + 1;
        int bits = block.Network.GetAddressBytes().Length * 8;
        if (next < BigInteger.One << bits)
        {
            Assert.False(block.Contains(FromNumber(next, bits / 8)), $"{FromNumber(next, bits / 8)} is past {block}");
        }
    }

    [Theory]
    [InlineData("::ffff:0:0/96", "::ffff:10.0.0.1", false)]
    [InlineData("::ffff:0:0/96", "::ffff:127.0.0.1", false)]
    [InlineData("::ffff:0:0/96", "::ffff:192.88.99.1", false)]
    [InlineData("::ffff:0:0/96", "::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::/96", "64:ff9b::10.0.0.1", false)]
    [InlineData("64:ff9b::/96", "64:ff9b::169.254.169.254", false)]
    [InlineData("64:ff9b::/96", "64:ff9b::8.8.8.8", true)]
    public void EmbeddingBlock_IsJudgedByTheIPv4AddressItCarries(string cidr, string address, bool reachable)
    {
        SpecialPurposeBlock block = SpecialPurposeAddresses.Blocks.First(b => b.Cidr == cidr);
        Assert.Equal(SpecialPurposeRule.EmbedsIPv4, block.Rule);
        Assert.True(block.Contains(IPAddress.Parse(address)));

        Assert.Equal(reachable, SpecialPurposeAddresses.IsGloballyReachable(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("::127.0.0.1")]
    [InlineData("::8.8.8.8")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("2002:7f00:1::")]
    [InlineData("2002:808:808::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("2001:0:53aa:64c:0:0:f7ff:fffe")]
    [InlineData("192.88.99.1")]
    [InlineData("192.88.99.2")]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.9")]
    [InlineData("192.168.1.1")]
    [InlineData("198.19.0.1")]
    [InlineData("224.0.0.251")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fe80::1%2")]
    [InlineData("fec0::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("2001:db8::1")]
    [InlineData("3fff::1")]
    [InlineData("5f00::1")]
    [InlineData("64:ff9b:1::a00:1")]
    [InlineData("100::1")]
    public void NonPublicOrTunnelledAddresses_AreRefused(string address) =>
        Assert.False(SpecialPurposeAddresses.IsGloballyReachable(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.215.14")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.32.0.1")]
    [InlineData("192.88.100.1")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.254")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2003::1")]
    public void PublicAddresses_AreGloballyReachable(string address) =>
        Assert.True(SpecialPurposeAddresses.IsGloballyReachable(IPAddress.Parse(address)), address);

    [Fact]
    public void Table_EveryBlockParses_AndItsNetworkHasNoHostBits()
    {
        Assert.NotEmpty(SpecialPurposeAddresses.Blocks);
        foreach (SpecialPurposeBlock block in SpecialPurposeAddresses.Blocks)
        {
            Assert.False(string.IsNullOrWhiteSpace(block.Name));
            Assert.Equal(block.Network, First(block));
        }
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST.", true)]
    [InlineData("kannel", true)]
    [InlineData("api.localhost", true)]
    [InlineData("printer.local", true)]
    [InlineData("metadata.google.internal", true)]
    [InlineData("nas.home.arpa", true)]
    [InlineData("api.twilio.com", false)]
    [InlineData("hooks.example.com", false)]
    public void HostNames_ThatCannotBePublic_AreRecognised(string host, bool nonPublic) =>
        Assert.Equal(nonPublic, SpecialPurposeAddresses.IsNonPublicName(host));

    private static IPAddress First(SpecialPurposeBlock block)
    {
        int bytes = block.Network.GetAddressBytes().Length;
        BigInteger mask = ((BigInteger.One << block.PrefixLength) - 1) << (bytes * 8 - block.PrefixLength);
        return FromNumber(ToNumber(block.Network) & mask, bytes);
    }

    private static IPAddress Last(SpecialPurposeBlock block)
    {
        int bytes = block.Network.GetAddressBytes().Length;
        BigInteger hostBits = (BigInteger.One << (bytes * 8 - block.PrefixLength)) - 1;
        return FromNumber(ToNumber(First(block)) | hostBits, bytes);
    }

    private static IPAddress Middle(SpecialPurposeBlock block)
    {
        int bytes = block.Network.GetAddressBytes().Length;
        int hostBits = bytes * 8 - block.PrefixLength;
        return hostBits == 0 ? First(block) : FromNumber(ToNumber(First(block)) | (BigInteger.One << (hostBits - 1)) | 1, bytes);
    }

    private static BigInteger ToNumber(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private static IPAddress FromNumber(BigInteger value, int bytes)
    {
        byte[] raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[bytes];
        raw.CopyTo(padded, bytes - raw.Length);
        return new IPAddress(padded);
    }
}
