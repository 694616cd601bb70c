# AT+MQTTALPN on W800-AT: 0..5 protocols, the query, what the TLS server sees.
# Sources: W800 spec, AT+MQTTALPN (<alpn_counts> in [0,5], 0 clears; the
# query prints one +MQTTALPN:<LinkID>,<"alpn"> line per entry; it only takes
# effect over TLS or WSS; use it after AT+MQTTUSERCFG). The broker's TLS front
# records the protocols offered in the ClientHello (features/mqtt/alpn.feature
# does the same for ESP-AT).
# Decisions (doc-derived, W800 reference §2.5 and §4 items 2 and 9): with no
# entries the query prints no +MQTTALPN line, just OK; a count of 6 is a value
# out of range, plain ERROR; a count that disagrees with the strings given is
# a parameter format error, CMD PARSE ERR; before AT+MQTTUSERCFG, ERROR.
@w800 @alpn
Feature: W800-AT offers the ALPN protocols set with AT+MQTTALPN

  Background:
    Given the device has been reset

  @doc_derived
  Scenario: the query lists nothing before any set
    Given I have sent AT+MQTTUSERCFG=0,2,"w800-alpn-q0","","",0,0,""
    When I send AT+MQTTALPN?
    Then the device answers OK

  Scenario: one protocol is listed by the query
    Given I have sent AT+MQTTUSERCFG=0,2,"w800-alpn-q1","","",0,0,""
    When I send AT+MQTTALPN=0,1,"p1"
    Then the device answers OK
    When I send AT+MQTTALPN?
    Then the device answers:
      """
      +MQTTALPN:0,"p1"
      OK
      """

  Scenario: five protocols are listed by the query in order
    Given I have sent AT+MQTTUSERCFG=0,2,"w800-alpn-q5","","",0,0,""
    When I send AT+MQTTALPN=0,5,"p1","p2","p3","p4","p5"
    Then the device answers OK
    When I send AT+MQTTALPN?
    Then the device answers:
      """
      +MQTTALPN:0,"p1"
      +MQTTALPN:0,"p2"
      +MQTTALPN:0,"p3"
      +MQTTALPN:0,"p4"
      +MQTTALPN:0,"p5"
      OK
      """

  @doc_derived
  Scenario: a count of 0 clears the list
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,2,"w800-alpn-c","","",0,0,""
      AT+MQTTALPN=0,2,"mqtt","x-atconform"
      AT+MQTTALPN=0,0
      """
    When I send AT+MQTTALPN?
    Then the device answers OK

  Scenario Outline: the offered protocols reach the TLS server over scheme <scheme>
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,<scheme>,"w800-alpn-<scheme>","","",0,0,"<path>"
      AT+MQTTALPN=0,2,"mqtt","x-atconform"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme<scheme>},0
      """
    Then the broker saw the connection of "w800-alpn-<scheme>" arrive with:
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
      AT+MQTTUSERCFG=0,3,"w800-alpn-5","","",0,0,""
      AT+MQTTALPN=0,5,"p1","p2","p3","p4","p5"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme3},0
      """
    Then the broker saw the connection of "w800-alpn-5" arrive with:
      | alpn offered | p1,p2,p3,p4,p5 |

  Scenario: without AT+MQTTALPN nothing is offered
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,2,"w800-alpn-none","","",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme2},0
      """
    Then the broker saw the connection of "w800-alpn-none" arrive with:
      | alpn offered | (none) |

  @doc_derived
  Scenario: six protocols are refused and the list is kept
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,2,"w800-alpn-6","","",0,0,""
      AT+MQTTALPN=0,1,"keep"
      """
    When I send AT+MQTTALPN=0,6,"a","b","c","d","e","f"
    Then the device answers ERROR
    When I send AT+MQTTALPN?
    Then the device answers:
      """
      +MQTTALPN:0,"keep"
      OK
      """

  @doc_derived
  Scenario: a count that disagrees with the strings is a format error
    Given I have sent AT+MQTTUSERCFG=0,2,"w800-alpn-n","","",0,0,""
    When I send AT+MQTTALPN=0,2,"mqtt"
    Then the device answers:
      """
      CMD PARSE ERR
      """

  @doc_derived
  Scenario: AT+MQTTALPN before AT+MQTTUSERCFG is refused
    When I send AT+MQTTALPN=0,1,"mqtt"
    Then the device answers ERROR
