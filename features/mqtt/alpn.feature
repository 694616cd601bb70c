# AT+MQTTALPN: the ALPN protocols a device offers in its TLS ClientHello.
# Sources: W800 spec, AT+MQTTALPN (set with <alpn_counts> 0..5 followed by
# that many strings, 0 clears; query prints one +MQTTALPN:<LinkID>,<"alpn">
# line per entry; only TLS and WSS use it; set after AT+MQTTUSERCFG);
# ESP-AT reference §1 (the shipped ESP-AT binary registers +MQTTALPN) and
# §2.4 (count 0..5). The broker side reads the offers from the ClientHello.
@alpn @esp32
Feature: AT+MQTTALPN sets the ALPN protocols offered over TLS and WSS

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Scenario Outline: the offered protocols reach the broker over scheme <scheme>
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,<scheme>,"alpn-<scheme>","","",0,0,"<path>"
      AT+MQTTALPN=0,2,"mqtt","x-atconform"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme<scheme>},0
      """
    Then the broker saw the connection of "alpn-<scheme>" arrive with:
      | alpn offered    | mqtt,x-atconform |
      | alpn negotiated | mqtt             |

    Examples:
      | scheme | path  |
      | 2      |       |
      | 5      |       |
      | 7      | /mqtt |
      | 10     | /mqtt |

  Scenario: five protocols are offered in order
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,3,"alpn-five","","",0,0,""
      AT+MQTTALPN=0,5,"p1","p2","p3","p4","p5"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      """
    Then the broker saw the connection of "alpn-five" arrive with:
      | alpn offered | p1,p2,p3,p4,p5 |

  Scenario: without AT+MQTTALPN nothing is offered
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,2,"alpn-none","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme2},0
      """
    Then the broker saw the connection of "alpn-none" arrive with:
      | alpn offered | (none) |

  Scenario: the query lists the entries, and a count of 0 clears them
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,2,"alpn-q","","",0,0,""
      AT+MQTTALPN=0,2,"mqtt","x-atconform"
      """
    When I send AT+MQTTALPN?
    Then the device answers:
      """
      +MQTTALPN:0,"mqtt"
      +MQTTALPN:0,"x-atconform"
      OK
      """
    When I send AT+MQTTALPN=0,0
    Then the device answers OK
    When I send AT+MQTTALPN?
    Then the device answers OK

  Scenario: six protocols are more than the count allows
    Given I have sent AT+MQTTUSERCFG=0,2,"alpn-6","","",0,0,""
    When I send AT+MQTTALPN=0,6,"a","b","c","d","e","f"
    Then the device answers ERROR

  Scenario: a count that disagrees with the strings given is a wrong parameter count
    Given I have sent AT+MQTTUSERCFG=0,2,"alpn-c","","",0,0,""
    When I send AT+MQTTALPN=0,2,"mqtt"
    Then the device answers:
      """
      ERR CODE:0x010a6008
      ERROR
      """

  Scenario: AT+MQTTALPN before AT+MQTTUSERCFG is refused
    When I send AT+MQTTALPN=0,1,"mqtt"
    Then the device answers:
      """
      ERR CODE:0x010a6001
      ERROR
      """
