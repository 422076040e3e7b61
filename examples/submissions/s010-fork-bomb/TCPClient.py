# TCPClient.py - task 2 (RTT from the connection request)
import sys
import time
from socket import *

serverName = 'server'
serverPort = 12000

sentence = input('Input lowercase sentence: ').encode()
clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(2)

sendTime = time.time()
try:
    clientSocket.connect((serverName, serverPort))
    clientSocket.sendall(sentence)
    modifiedSentence = b''
    while len(modifiedSentence) < len(sentence):
        data = clientSocket.recv(4096)
        if not data:
            break
        modifiedSentence += data
except OSError as e:
    print('No reply from the server (%s)' % e)
    sys.exit(1)
recvTime = time.time()
clientSocket.close()

fmt = '%Y-%m-%d %H:%M:%S'
print()
print('From Server:', modifiedSentence.decode())
print('Connection request sent at:', time.strftime(fmt, time.localtime(sendTime)), '(%.6f)' % sendTime)
print('Reply received at:         ', time.strftime(fmt, time.localtime(recvTime)), '(%.6f)' % recvTime)
print('RTT: %.3f ms' % ((recvTime - sendTime) * 1000))
